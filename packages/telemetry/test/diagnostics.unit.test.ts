import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diag } from '@opentelemetry/api';
import { reportDiagnosticsTo } from '../src/index.js';

void describe("the SDK's diagnostics", () => {
  void it('reach the service log once per message for a while, not once per failed export', () => {
    const lines: { level: string; msg: string; obj: object }[] = [];
    reportDiagnosticsTo({
      warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
      error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
    });
    for (let i = 0; i < 5; i++) diag.error('export failed', 'ECONNREFUSED');
    diag.warn('span dropped');
    diag.info('not logged');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        ['error', 'opentelemetry: export failed'],
        ['warn', 'opentelemetry: span dropped'],
      ],
    );
    assert.deepEqual(lines[0]?.obj, { detail: 'ECONNREFUSED', heldBack: undefined });
    diag.disable();
  });
});
