import { rm } from 'node:fs/promises';

import { DuckDBInstance } from '@duckdb/node-api';

import { TableWriter } from '../application/export-events';
import { ExportFormat } from '../domain/commands';
import { ColumnType, ExportColumn, MONEY_SCALE } from '../domain/export-table';

/**
 * Writes export tables with an in-process DuckDB: rows are appended as text to a staging table, then
 * cast to their column types and copied to Parquet or CSV (with a header) in one statement.
 */
export class DuckDbTableWriter implements TableWriter {
  async write(
    request: { file: string; format: ExportFormat; columns: readonly ExportColumn[] },
    rows: readonly (string | null)[][],
  ): Promise<void> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const names = request.columns.map((column) => quoteIdentifier(column.name));
      await connection.run(`CREATE TABLE staged (${names.map((name) => `${name} VARCHAR`).join(', ')})`);
      const appender = await connection.createAppender('staged');
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.closeSync();
      const typed = request.columns
        .map((column, index) => `CAST(${names[index]} AS ${sqlType(column.type)}) AS ${names[index]}`)
        .join(', ');
      const options = request.format === 'parquet' ? 'FORMAT parquet' : 'FORMAT csv, HEADER true';
      await rm(request.file, { force: true });
      await connection.run(`COPY (SELECT ${typed} FROM staged) TO ${quoteLiteral(request.file)} (${options})`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }
}

function sqlType(type: ColumnType): string {
  if (type === 'DECIMAL') return `DECIMAL(38, ${MONEY_SCALE})`;
  if (type === 'TIMESTAMP') return 'TIMESTAMPTZ';
  return type;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
