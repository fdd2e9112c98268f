// Public exports of KafkaExtended, stream processors, tuning, diagnostics and security.
export {};
