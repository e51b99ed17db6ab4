output "feed_api_endpoint" {
  value = aws_apigatewayv2_api.public.api_endpoint
}
