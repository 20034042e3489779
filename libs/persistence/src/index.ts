export * from './sql';
export * from './database-url';
export * from './databases';
export * from './migrations';
export * from './advisory-locks';
