import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_CONFIG_FILE, ServiceConfig, loadServiceConfig } from '../src/config';

/** The committed config, parsed and validated. */
export function sampleConfig(): ServiceConfig {
  return loadServiceConfig(DEFAULT_CONFIG_FILE);
}

/** The committed config as plain JSON, to be altered by a test. */
export function rawSampleConfig(): any {
  return JSON.parse(fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf-8'));
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sample-service-${prefix}-`));
}

/** Writes `content` (JSON value or raw text) to a temporary service.json and returns its path. */
export function writeConfig(content: unknown): string {
  const file = path.join(tempDir('config'), 'service.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}
