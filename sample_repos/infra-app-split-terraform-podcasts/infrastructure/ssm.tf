# The contract with the application: names and ARNs it reads at deploy time.

resource "aws_ssm_parameter" "transcode_queue_arn" {
  name  = "/${var.project}/${var.stage}/transcode-queue-arn"
  type  = "String"
  value = module.transcode_queue.arn
}

resource "aws_ssm_parameter" "episode_published_topic_arn" {
  name  = "/${var.project}/${var.stage}/episode-published-topic-arn"
  type  = "String"
  value = aws_sns_topic.episode_published.arn
}

resource "aws_ssm_parameter" "episodes_table_name" {
  name  = "/${var.project}/${var.stage}/episodes-table-name"
  type  = "String"
  value = aws_dynamodb_table.episodes.name
}

resource "aws_ssm_parameter" "audio_bucket_name" {
  name  = "/${var.project}/${var.stage}/audio-bucket-name"
  type  = "String"
  value = aws_s3_bucket.audio.bucket
}
