#!/usr/bin/env node
// A committed launcher, so that npm links the `colorize` binary at install time, before the
// build has made dist/ (the root `prepare` script builds right after).
import '../dist/bin.js';
