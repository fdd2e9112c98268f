#!/bin/bash
# Starts one Kafka node from environment variables, the way the apache/kafka image reads them:
#   KAFKA_FOO_BAR=x -> foo.bar=x, a double underscore is a literal underscore, a triple one a dash
#   (KAFKA_LISTENER_NAME_SASL__PLAINTEXT_SCRAM___SHA___256_SASL_JAAS_CONFIG ->
#    listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config).
# CLUSTER_ID (required) formats the log dir on first start; a restarted container keeps its data.
# ONEX_SCRAM_USERS="name:password …" creates SCRAM-SHA-256/512 users at format time (the apache/kafka
# image has no equivalent). KAFKA_HEAP_OPTS sets the JVM heap.
set -euo pipefail

props=/opt/kafka/config/server.properties
: > "$props"
for name in $(compgen -e | sort); do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_JMX_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  printf '%s=%s\n' "${key,,}" "${!name}" >> "$props"
done
grep -q '^log\.dirs=' "$props" || echo 'log.dirs=/var/lib/kafka/data' >> "$props"
log_dir=$(sed -n 's/^log\.dirs=//p' "$props" | cut -d, -f1)

cp="/opt/kafka/libs/*"
if [ ! -f "$log_dir/meta.properties" ]; then
  : "${CLUSTER_ID:?CLUSTER_ID must be set to format the storage (22-character base64 UUID)}"
  scram=()
  for user in ${ONEX_SCRAM_USERS:-}; do
    scram+=(--add-scram "SCRAM-SHA-256=[name=${user%%:*},password=${user#*:}]")
    scram+=(--add-scram "SCRAM-SHA-512=[name=${user%%:*},password=${user#*:}]")
  done
  java -cp "$cp" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$props" "${scram[@]}"
fi

# shellcheck disable=SC2086 # heap and extra options are word lists
exec java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn ${KAFKA_OPTS:-} \
  -cp "$cp" kafka.Kafka "$props"
