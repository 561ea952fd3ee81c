// The same Node 20 polyfill the local stack loads, for tests that run state machines directly.
import '../../local/polyfills.js';
