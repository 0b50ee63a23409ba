export {};
console.log('retrosync: no commands yet');
