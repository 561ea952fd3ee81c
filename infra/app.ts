import { buildApp } from './build-app.js';

// `npx cdk synth|deploy` runs this file (cdk.json); context comes from cdk.json and `-c`.
buildApp().app.synth();
