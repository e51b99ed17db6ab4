"""Index one product change."""


def index_product(event, context):
    return len(event["Records"])
