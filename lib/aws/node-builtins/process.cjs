// node:process for the bundles, loaded without its ES module facade (infra/bundling.ts, NODE_BUILTINS).
module.exports = process.getBuiltinModule('node:process');
