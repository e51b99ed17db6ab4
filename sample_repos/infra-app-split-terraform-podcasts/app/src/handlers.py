"""Podcast application handlers (the code is not what this sample is about)."""


def transcode_episode(event, context):
    return {"transcoded": len(event.get("Records", []))}


def notify_subscribers(event, context):
    return {"notified": len(event.get("Records", []))}
