import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { failureClass, isDatabaseUnavailable } from './failure-class';

const pgError = (code: string, message = 'from PostgreSQL') =>
  Object.assign(new Error(message), { code });
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('failureClass', () => {
  it.each([
    ['40P01', 'deadlock'],
    ['40001', 'serialization'],
    ['55P03', 'lock_timeout'],
    ['57014', 'statement_timeout'],
    ['57P01', 'database_unavailable'],
    ['57P03', 'database_unavailable'],
    ['53300', 'database_unavailable'],
    ['08006', 'connection'],
    ['25P03', 'connection'],
  ])('calls SQLSTATE %s transient (%s), also when TypeORM wraps it', (code, expected) => {
    expect(failureClass(pgError(code))).toBe(expected);
    expect(failureClass(wrapped(pgError(code)))).toBe(expected);
  });

  it.each([
    ['P0001', 'a raised exception'],
    ['23505', 'a unique violation'],
    ['22003', 'a numeric overflow'],
    ['42P01', 'a missing table'],
  ])('calls SQLSTATE %s (%s) permanent', (code) => {
    expect(failureClass(wrapped(pgError(code)))).toBe('permanent');
  });

  it('calls lost and refused connections and an exhausted pool transient', () => {
    expect(failureClass(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'))).toBe(
      'connection',
    );
    expect(failureClass(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(failureClass(new Error('timeout exceeded when trying to connect'))).toBe('connection');
    expect(failureClass(new Error('outer', { cause: pgError('ECONNRESET') }))).toBe('connection');
  });

  it('tells Redis apart, and a request that met it is not a database outage', () => {
    const redis = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(failureClass(redis)).toBe('redis');
    expect(isDatabaseUnavailable(redis)).toBe(false);
    expect(isDatabaseUnavailable(pgError('57P01'))).toBe(true);
  });

  it.each([
    "Cluster isn't ready and enableOfflineQueue options is false",
    'None of startup nodes is available',
    'Failed to refresh slots cache.',
    'CLUSTERDOWN The cluster is down',
  ])('calls a Redis Cluster that is away (%s) Redis', (message) => {
    expect(failureClass(new Error(message))).toBe('redis');
  });

  it('calls anything unknown permanent', () => {
    expect(failureClass(new TypeError('x is undefined'))).toBe('permanent');
    expect(failureClass('a string')).toBe('permanent');
    expect(failureClass(undefined)).toBe('permanent');
  });
});
