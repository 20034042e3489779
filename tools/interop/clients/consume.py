"""Reads Throughline topics from their start to their current end and prints one JSON line per event:
{"topic", "partition", "offset", "key", "value"}.

Needs Debian's python3-avro and python3-confluent-kafka. Usage: python3 consume.py <topic>...
(KAFKA_BROKERS and SCHEMA_REGISTRY_URL from the environment).
"""
import datetime
import io
import json
import os
import struct
import sys
import urllib.request

import avro.io
import avro.schema
from confluent_kafka import Consumer, TopicPartition

BROKERS = os.environ.get("KAFKA_BROKERS") or "127.0.0.1:9092"
REGISTRY = os.environ.get("SCHEMA_REGISTRY_URL") or "http://127.0.0.1:8081/apis/ccompat/v7"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_schemas = {}


def writer_schema(schema_id):
    """The schema a value was written with, from the registry's Confluent-compatible API (cached)."""
    if schema_id not in _schemas:
        with urllib.request.urlopen(f"{REGISTRY}/schemas/ids/{schema_id}") as response:
            _schemas[schema_id] = avro.schema.parse(json.load(response)["schema"])
    return _schemas[schema_id]


def decode(value):
    """Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body."""
    if value[0] != 0:
        raise ValueError("not the Confluent wire format")
    (schema_id,) = struct.unpack(">I", value[1:5])
    reader = avro.io.DatumReader(writer_schema(schema_id))
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))


def plain(value):
    """JSON for avro's logical types: timestamp-millis as epoch milliseconds, date as days since 1970-01-01."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, datetime.date):
        return (value - EPOCH.date()).days
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def main(topics):
    consumer = Consumer({"bootstrap.servers": BROKERS, "group.id": "throughline-consume-python",
                         "enable.auto.commit": False})
    end = {}
    for topic in topics:
        for partition in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            if high > low:
                end[(topic, partition)] = (low, high)
    consumer.assign([TopicPartition(t, p, low) for (t, p), (low, _) in end.items()])
    while end:
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error():
            raise RuntimeError(message.error())
        key = message.key().decode() if message.key() is not None else None
        print(json.dumps({"topic": message.topic(), "partition": message.partition(),
                          "offset": message.offset(), "key": key, "value": decode(message.value())},
                         default=plain))
        place = (message.topic(), message.partition())
        if place in end and message.offset() + 1 >= end[place][1]:
            del end[place]
    consumer.close()


if __name__ == "__main__":
    main(sys.argv[1:])
