const { createJestConfig } = require('../tools/jest/preset.cjs');

const config = createJestConfig(__dirname, { kafka: true });
// src/container needs the docker-compose cluster: it runs only with KAFKA_MODE=container.
if (process.env.KAFKA_MODE !== 'container') config.testPathIgnorePatterns = ['/node_modules/', '<rootDir>/src/container/'];

module.exports = config;
