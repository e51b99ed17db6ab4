variable "project" {
  type    = string
  default = "podcasts"
}

variable "stage" {
  type    = string
  default = "dev"
}

variable "region" {
  type    = string
  default = "eu-west-1"
}
