#!/usr/bin/env node
// `npm start`: the demo application lives in e2e/ (see e2e/src/demo). Until it lands, this prints
// what it will do.
console.log(`ONEX networking toolkit demo (not assembled yet).
It will: start the local Kafka broker (or use KAFKA_BROKERS), open the bridge's HTTP ingress, route
events by rules to Kafka topics, enrich them in a stream processor with schema-registry
serialization, deliver them to a local webhook through @onex/http guarded by @onex/circuit-breaker,
push them to WebSocket subscribers, and print a summary table.`);
