#!/usr/bin/env node
// The `lmutil` command: FlexNet's utility names and flags on Triad (src/cli/lmutil.ts).
import { runBundle } from './runBundle.mjs';

await runBundle('lmutil', 'lmutil');
