# Podcast platform infrastructure, owned by the platform team and applied with Terraform.
# The application team ships the functions with the Serverless Framework (../app) and
# finds everything here through the SSM parameters in ssm.tf.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  backend "s3" {
    bucket = "podcasts-terraform-state"
    key    = "infrastructure/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      domain = "podcasts"
      team   = "platform"
    }
  }
}

locals {
  prefix = "${var.project}-${var.stage}"
}

# Uploaded episodes wait here for the transcoder.
module "transcode_queue" {
  source             = "./modules/queue"
  name               = "${local.prefix}-transcode"
  visibility_timeout = 900
}

resource "aws_sns_topic" "episode_published" {
  name = "${local.prefix}-episode-published"
}

resource "aws_dynamodb_table" "episodes" {
  name         = "${local.prefix}-episodes"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "episodeId"

  attribute {
    name = "episodeId"
    type = "S"
  }
}

resource "aws_s3_bucket" "audio" {
  bucket = "${local.prefix}-audio"
}
