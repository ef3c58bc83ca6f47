import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The process-boundary rules of eslint.config.js, exercised on snippets placed (virtually) in
// each folder, so a config change that silently drops a rule fails here.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('process boundaries', () => {
  it.each([
    ['renderer/src/x.ts', "import fs from 'node:fs'; export const a = fs;"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron'; export const a = ipcRenderer;"],
    ['renderer/src/x.ts', "import { buildServer } from '../../service/server'; export const a = buildServer;"],
    ['renderer/src/x.ts', "import { secureWebPreferences } from '../../electron/main/policy'; export const a = secureWebPreferences;"],
    ['shared/x.ts', "import { createHash } from 'node:crypto'; export const a = createHash;"],
    ['shared/x.ts', "import path from 'path'; export const a = path;"],
    ['shared/x.ts', "import React from 'react'; export const a = React;"],
    ['shared/x.ts', "import { openSqlite } from '../service/db/sqlite'; export const a = openSqlite;"],
    ['service/x.ts', "import { app } from 'electron'; export const a = app;"],
    ['service/x.ts', "import { App } from '../renderer/src/app/App'; export const a = App;"],
    ['electron/preload/x.ts', "import fs from 'node:fs'; export const a = fs;"],
    ['electron/main/x.ts', "import { buildServer } from '../../service/server'; export const a = buildServer;"],
  ])('refuses in %s: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it.each([
    ['renderer/src/x.ts', "import { Referral } from '../../shared/contract'; export const a = Referral;"],
    ['shared/x.ts', "import { z } from 'zod'; export const a = z;"],
    ['service/x.ts', "import fs from 'node:fs'; import { Referral } from '../shared/contract'; export const a = [fs, Referral];"],
    ['electron/preload/x.ts', "import { contextBridge } from 'electron'; import { IPC } from '../../shared/bridge'; export const a = [contextBridge, IPC];"],
    ['electron/main/x.ts', "import { app } from 'electron'; import path from 'node:path'; export const a = [app, path];"],
  ])('allows in %s: %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});
