"""Score a new payment; a high score would hold it for review."""


def handler(event, context):
    amount = float(event["detail"].get("amount", 0))
    return {"paymentId": event["detail"]["paymentId"], "score": min(amount / 10_000, 1.0)}
