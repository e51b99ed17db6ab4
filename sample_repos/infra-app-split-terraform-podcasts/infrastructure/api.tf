# The public feed API. Its route needs a function to point at, so the platform
# team creates an empty one; the application pipeline uploads the real code.

resource "aws_apigatewayv2_api" "public" {
  name          = "${local.prefix}-public"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "rss_feed" {
  api_id                 = aws_apigatewayv2_api.public.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.rss_feed.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "rss_feed" {
  api_id    = aws_apigatewayv2_api.public.id
  route_key = "GET /feeds/{showId}"
  target    = "integrations/${aws_apigatewayv2_integration.rss_feed.id}"
}

resource "aws_lambda_permission" "api_invokes_rss_feed" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.rss_feed.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.public.execution_arn}/*/*"
}

resource "aws_lambda_function" "rss_feed" {
  function_name = "${local.prefix}-rss-feed"
  role          = aws_iam_role.rss_feed.arn
  runtime       = "python3.12"
  handler       = "feeds.handler"
  filename      = "${path.module}/placeholder.zip"

  environment {
    variables = {
      EPISODES_TABLE = aws_dynamodb_table.episodes.name
    }
  }

  lifecycle {
    # The application pipeline runs `aws lambda update-function-code`.
    ignore_changes = [filename, source_code_hash]
  }
}

resource "aws_iam_role" "rss_feed" {
  name = "${local.prefix}-rss-feed"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

data "aws_iam_policy_document" "rss_feed" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.episodes.arn]
  }
}

resource "aws_iam_role_policy" "rss_feed" {
  name   = "read-episodes"
  role   = aws_iam_role.rss_feed.id
  policy = data.aws_iam_policy_document.rss_feed.json
}
