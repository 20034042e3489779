import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;

/**
 * Reads Throughline topics from their start to their current end with Apicurio's Avro serde and
 * prints one JSON line per event: {"topic", "partition", "offset", "key", "value"}.
 * Usage: java Consume <topic>...   (KAFKA_BROKERS, APICURIO_URL from the environment)
 */
public class Consume {
  public static void main(String[] topics) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env("KAFKA_BROKERS", "127.0.0.1:9092"));
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Apicurio's native API, not /apis/ccompat/v7 (the serde gets 404 there).
    config.put("apicurio.registry.url", env("APICURIO_URL", "http://127.0.0.1:8081/apis/registry/v3"));
    // Throughline writes the Confluent wire format: magic byte 0, then a 4-byte schema id, which is
    // Apicurio's contentId (the id the Confluent-compatible API gives out). globalId decodes wrongly.
    config.put("apicurio.registry.use-id", "contentId");
    config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");

    try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      while (!end.isEmpty()) {
        for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofSeconds(1))) {
          System.out.println(String.format(
              "{\"topic\":\"%s\",\"partition\":%d,\"offset\":%d,\"key\":%s,\"value\":%s}",
              record.topic(), record.partition(), record.offset(),
              GenericData.get().toString(record.key()), GenericData.get().toString(record.value())));
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (end.containsKey(partition) && record.offset() + 1 >= end.get(partition)) end.remove(partition);
        }
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
