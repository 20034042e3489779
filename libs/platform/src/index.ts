export * from './errors';
export * from './config';
export * from './logger';
export * from './log-context';
export * from './periodic-task';
