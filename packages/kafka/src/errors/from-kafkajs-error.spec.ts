import { KafkaClient } from '../index.js';
import { kafkaSaslBrokers } from '../../test/helpers.js';

describe('kafkajs failure mapping of KafkaClient', () => {
  const clients: KafkaClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('reports a refused connection (nothing listens on port 1) as KAFKA_CONNECTION', async () => {
    const client = new KafkaClient({ bootstrapServers: ['127.0.0.1:1'], requestTimeoutMs: 300, connectionTimeoutMs: 1_000, logLevel: 'nothing' });
    clients.push(client);
    await expect(client.createTopic('never-created', 1, 1)).rejects.toMatchObject({ name: 'KafkaConnectionError', code: 'KAFKA_CONNECTION' });
  });

  const sasl = kafkaSaslBrokers();
  (sasl === undefined ? it.skip : it)('reports a SASL mechanism the brokers do not enable as KAFKA_AUTHENTICATION', async () => {
    const brokers = sasl ?? [];
    const client = new KafkaClient({
      bootstrapServers: brokers,
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: 'token' }) },
      logLevel: 'nothing',
    });
    clients.push(client);
    await expect(client.createTopic('never-created', 1, 1)).rejects.toMatchObject({ code: 'KAFKA_AUTHENTICATION' });
  });
});
