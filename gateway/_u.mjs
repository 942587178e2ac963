const r = () => { globalThis.gc?.(); return (process.memoryUsage().rss/1048576).toFixed(1) + ' MB rss; ext ' + (process.memoryUsage().external/1048576).toFixed(1) + ' arraybuf ' + (process.memoryUsage().arrayBuffers/1048576).toFixed(1); };
console.log('base', r());
const what = process.argv[2];
await import(what); console.log(what, r());
