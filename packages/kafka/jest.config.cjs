const { createJestConfig } = require('../../tools/jest/preset.cjs');

module.exports = {
  ...createJestConfig(__dirname, { kafka: true }),
  // Two workers even on a 2-core machine: broker-kill.spec spends most of its time waiting for its
  // private broker's JVM, which overlaps well with the files that use the shared broker.
  maxWorkers: 2,
};
