#!/usr/bin/env node
// The `triad` command (src/cli/index.ts).
import { runBundle } from './runBundle.mjs';

await runBundle('triad', 'cli');
