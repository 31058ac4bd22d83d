import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { telemetrySettings, TelemetrySettingsError } from '../src/index.js';

const ENDPOINT = 'http://127.0.0.1:4318';

void describe('when tracing is on', () => {
  void it('is off without any variable, and off when told so whatever else is set', () => {
    assert.equal(telemetrySettings({}), undefined);
    assert.equal(telemetrySettings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }), undefined);
    assert.equal(
      telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'true' }),
      undefined,
    );
    assert.equal(
      telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }),
      undefined,
    );
  });

  void it('an OTLP endpoint switches it on, over http/protobuf unless told otherwise', () => {
    assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }), {
      exporters: ['otlp'],
      protocol: 'http/protobuf',
    });
    assert.deepEqual(
      telemetrySettings({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/v1/traces`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
      { exporters: ['otlp'], protocol: 'http/json' },
    );
    assert.deepEqual(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console, otlp,console' }), {
      exporters: ['console', 'otlp'],
      protocol: 'http/protobuf',
    });
  });

  void it('a bad variable is named in one line, every one at once, without its value when it is a URL', () => {
    const bad = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318?token=secret',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '2',
    };
    assert.throws(
      () => telemetrySettings(bad),
      (err: unknown) => {
        assert.ok(err instanceof TelemetrySettingsError);
        assert.equal(err.code, 'INVALID_TELEMETRY_SETTINGS');
        assert.ok(!err.message.includes('\n'));
        assert.ok(!err.message.includes('secret'));
        for (const name of Object.keys(bad)) assert.ok(err.message.includes(name), name);
        return true;
      },
    );
    assert.throws(() => telemetrySettings({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }), /OTEL_TRACES_SAMPLER/);
  });
});
