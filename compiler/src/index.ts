export * from './table-types.js';
