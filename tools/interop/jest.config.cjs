const path = require('node:path');
// eslint-disable-next-line @nx/enforce-module-boundaries -- the shared Jest preset, as every project uses it
const { createJestConfig } = require('../jest/preset.cjs');

// Sibling @onex packages resolve to their sources (preset); @confluentinc/* from this folder's node_modules.
module.exports = { ...createJestConfig(__dirname), globalSetup: path.join(__dirname, 'ensure-installed.cjs') };
