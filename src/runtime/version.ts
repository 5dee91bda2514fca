/** The package's name and version, read from package.json (two levels up from src/runtime and dist/runtime). */
import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;

export const PRODUCT_NAME: string = pkg.name;
export const VERSION: string = pkg.version;
