const { createJestConfig } = require('../../tools/jest/preset.cjs');

module.exports = createJestConfig(__dirname, { kafka: true });
