export * from './unified/index.js';
