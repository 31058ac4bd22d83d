// The container and stack files, checked without a Docker engine: what the compose/stack files and the
// Dockerfile promise (ports, environment, health checks, replicas, non-root users) and that everything they
// name exists in the repository. Where a docker CLI is installed, it validates the files too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { copyDestination, effectiveInstructions, environment, last, parseDockerfile } from './dockerfile.js';
import type { Stage } from './dockerfile.js';
import { dockerignore, expandSource } from './globs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** The contract's processes and their ports. */
const PORTS: Readonly<Record<string, readonly number[]>> = {
  rabbitmq: [5672, 15672],
  configserver: [8888],
  accountservice: [6767],
  vipservice: [6868],
  landscape: [8080],
};
const NODE_SERVICES = ['configserver', 'accountservice', 'vipservice', 'landscape'] as const;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, what: string): Mapping {
  if (!isMapping(value)) assert.fail(`${what} is not a mapping`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) assert.fail(`${what} is not a list`);
  return value as unknown[];
}

function loadServices(path: string): Map<string, Mapping> {
  // merge: compose files share settings through YAML anchors and `<<` merge keys.
  const doc = mapping(parse(read(path), { merge: true }), path);
  const services = mapping(doc.services, `${path} services`);
  return new Map(Object.entries(services).map(([name, s]) => [name, mapping(s, `${path} ${name}`)]));
}

function service(services: Map<string, Mapping>, name: string): Mapping {
  return services.get(name) ?? assert.fail(`no service ${name}`);
}

interface Port {
  readonly target: number;
  readonly published?: string;
}

/** Container ports with their host ports, from short ('8080:80', '80') and long ({ target, published }) syntax. */
function ports(svc: Mapping): Port[] {
  return (svc.ports === undefined ? [] : list(svc.ports, 'ports')).map((p): Port => {
    if (isMapping(p)) {
      const published = p.published;
      return typeof published === 'string' || typeof published === 'number'
        ? { target: Number(p.target), published: String(published) }
        : { target: Number(p.target) };
    }
    const parts = String(p)
      .replace(/\/\w+$/, '')
      .split(':');
    const target = Number(parts.at(-1));
    return parts.length > 1 ? { target, published: parts.at(-2) ?? '' } : { target };
  });
}

function env(svc: Mapping): Map<string, string> {
  const raw = svc.environment;
  if (Array.isArray(raw)) {
    return new Map(
      raw.map((e) => {
        const [k = '', ...v] = String(e).split('=');
        return [k, v.join('=')];
      }),
    );
  }
  return new Map(
    Object.entries(raw === undefined ? {} : mapping(raw, 'environment')).map(([k, v]) => [k, String(v)]),
  );
}

function healthTest(svc: Mapping, name: string): string[] {
  const hc = mapping(svc.healthcheck, `${name} healthcheck`);
  assert.notEqual(hc.disable, true, `${name}: healthcheck disabled`);
  const test = list(hc.test, `${name} healthcheck.test`).map(String);
  assert.ok(test.length > 1 && test[0] !== 'NONE', `${name}: healthcheck has no command`);
  return test;
}

function volumeTargets(svc: Mapping): string[] {
  return (svc.volumes === undefined ? [] : list(svc.volumes, 'volumes')).map((v) =>
    isMapping(v) ? String(v.target) : (String(v).split(':')[1] ?? ''),
  );
}

function hostOf(url: string): string {
  return new URL(url).hostname;
}

const compose = loadServices('deploy/compose.yaml');
const stack = loadServices('deploy/stack.yaml');
const stages = parseDockerfile(read('deploy/Dockerfile'));
/** The runtime targets: the stages that start a process. */
const targets = stages.filter((s) => s.instructions.some((i) => i.keyword === 'CMD'));

function target(name: string): Stage {
  return targets.find((s) => s.name === name) ?? assert.fail(`deploy/Dockerfile has no target ${name}`);
}

void describe('deploy/compose.yaml', () => {
  void it('runs the contract landscape: rabbitmq, configserver, accountservice, vipservice, landscape', () => {
    assert.deepEqual([...compose.keys()].sort(), Object.keys(PORTS).sort());
  });

  void it("exposes the contract's ports (5672, 15672, 8888, 6767, 6868, 8080)", () => {
    for (const [name, expected] of Object.entries(PORTS)) {
      const targetsOf = ports(service(compose, name)).map((p) => p.target);
      assert.deepEqual(targetsOf.sort(), [...expected].sort(), name);
    }
  });

  void it('gives every service a health check, and the node services probe their own port', () => {
    for (const [name, svc] of compose) {
      const test = healthTest(svc, name);
      if (name === 'rabbitmq') assert.deepEqual(test, ['CMD', 'rabbitmq-diagnostics', '-q', 'ping']);
      else assert.deepEqual(test, ['CMD', 'node', 'deploy/healthcheck.js', String(PORTS[name]?.[0])], name);
    }
  });

  void it('configures the services through the configserver with the test profile, the broker by service name', () => {
    const configserver = env(service(compose, 'configserver'));
    assert.equal(hostOf(configserver.get('AMQP_SERVER_URL') ?? ''), 'rabbitmq');
    for (const name of ['accountservice', 'vipservice']) {
      const e = env(service(compose, name));
      assert.equal(e.get('PROFILE'), 'test', name);
      assert.equal(e.get('CONFIG_SERVER_URL'), 'http://configserver:8888', name);
      // The test profile the configserver serves must name a broker this file runs.
      const profile = mapping(parse(read(`config-repo/${name}-test.yml`)), `${name}-test.yml`);
      assert.ok(
        compose.has(hostOf(String(profile.amqp_server_url))),
        `${name}-test.yml names an unknown broker host`,
      );
    }
  });

  void it("points the landscape page at the configserver and at the broker's management API", () => {
    const e = env(service(compose, 'landscape'));
    assert.equal(e.get('PROFILE'), 'test');
    assert.equal(e.get('CONFIG_SERVER_URL'), 'http://configserver:8888');
    assert.ok(compose.has(hostOf(e.get('AMQP_SERVER_URL') ?? '')), 'AMQP_SERVER_URL names an unknown host');
    const management = new URL(e.get('MANAGEMENT_URL') ?? '');
    assert.ok(compose.has(management.hostname), 'MANAGEMENT_URL names an unknown host');
    assert.ok(PORTS[management.hostname]?.includes(Number(management.port)), 'MANAGEMENT_URL port');
  });

  void it('keeps each store on a named volume mounted at DATA_DIR', () => {
    for (const name of ['accountservice', 'vipservice']) {
      const svc = service(compose, name);
      const dataDir = env(svc).get('DATA_DIR');
      assert.equal(dataDir, '/data', name);
      assert.ok(volumeTargets(svc).includes(dataDir), `${name}: no volume on ${dataDir}`);
    }
  });

  void it('runs two vipservice replicas that share one store without a host port clash', () => {
    const vip = service(compose, 'vipservice');
    assert.equal(mapping(vip.deploy, 'vipservice deploy').replicas, 2);
    // Two replicas cannot both bind one fixed host port.
    assert.deepEqual(ports(vip), [{ target: 6868 }]);
    // Replicas sharing an LMDB store need distinct PIDs (see the comment in compose.yaml).
    assert.equal(vip.pid, 'host');
  });

  void it('starts each service only after what it depends on is healthy', () => {
    for (const name of NODE_SERVICES) {
      const deps = mapping(service(compose, name).depends_on, `${name} depends_on`);
      assert.ok('rabbitmq' in deps, `${name} does not wait for rabbitmq`);
      if (name !== 'configserver')
        assert.ok('configserver' in deps, `${name} does not wait for configserver`);
      for (const [dep, how] of Object.entries(deps)) {
        assert.equal(mapping(how, `${name} -> ${dep}`).condition, 'service_healthy', `${name} -> ${dep}`);
        healthTest(service(compose, dep), dep);
      }
    }
  });

  void it('builds each node service from its own target of deploy/Dockerfile, with the repository as context', () => {
    for (const name of NODE_SERVICES) {
      const svc = service(compose, name);
      const build = mapping(svc.build, `${name} build`);
      const context = join(root, 'deploy', String(build.context));
      assert.equal(join(context, '/'), join(root, '/'), `${name}: build context is not the repository root`);
      assert.ok(
        existsSync(join(context, String(build.dockerfile))),
        `${name}: no ${String(build.dockerfile)}`,
      );
      assert.equal(build.target, name);
      target(name);
      assert.match(String(svc.image), new RegExp(`/${name}:`));
      assert.ok(svc.restart !== undefined && svc.restart !== 'no', `${name}: no restart policy`);
    }
  });
});

void describe('deploy/stack.yaml (docker stack deploy)', () => {
  void it('runs the same services, images, environment, ports and health checks as compose.yaml', () => {
    assert.deepEqual([...stack.keys()].sort(), [...compose.keys()].sort());
    for (const [name, svc] of stack) {
      const twin = service(compose, name);
      assert.equal(svc.image, twin.image, name);
      assert.deepEqual(env(svc), env(twin), name);
      assert.deepEqual(svc.healthcheck, twin.healthcheck, name);
      assert.deepEqual(
        ports(svc).map((p) => p.target),
        ports(twin).map((p) => p.target),
        name,
      );
      assert.deepEqual(volumeTargets(svc), volumeTargets(twin), name);
    }
    assert.equal(mapping(service(stack, 'vipservice').deploy, 'vipservice deploy').replicas, 2);
  });

  void it('leaves out what docker stack rejects or ignores, and lets Swarm restart what fails', () => {
    for (const [name, svc] of stack) {
      assert.equal(svc.build, undefined, `${name}: build`);
      assert.equal(svc.depends_on, undefined, `${name}: depends_on`);
      const policy = mapping(mapping(svc.deploy, `${name} deploy`).restart_policy, `${name} restart_policy`);
      assert.equal(policy.condition, 'any', name);
    }
  });
});

void describe('deploy/Dockerfile', () => {
  const services = readdirSync(join(root, 'services'));

  void it('names a base for every stage, once per stage name', () => {
    assert.ok(stages.length > 0);
    for (const stage of stages) assert.ok(stage.base !== '', `stage at line ${stage.line} has no FROM`);
    assert.equal(new Set(stages.map((s) => s.name)).size, stages.length, 'duplicate stage names');
    const images = stages.filter((s) => !stages.some((other) => other.name === s.base)).map((s) => s.base);
    for (const image of images) assert.match(image, /^node:20-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  });

  void it('copies only what exists in the build context and .dockerignore lets through', () => {
    const ignore = dockerignore(read('.dockerignore'));
    const copies = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    const fromContext = copies.filter((i) => i.flags.from === undefined);
    assert.ok(fromContext.length > 0);
    for (const copy of fromContext) {
      for (const source of copy.args.slice(0, -1)) {
        const matches = expandSource(root, source);
        assert.ok(matches.length > 0, `line ${copy.line}: ${source} matches nothing`);
        for (const path of matches) {
          assert.ok(existsSync(join(root, path)), `line ${copy.line}: ${path} does not exist`);
          assert.ok(!ignore.isExcluded(path), `line ${copy.line}: ${path} is excluded by .dockerignore`);
        }
      }
    }
    for (const copy of copies.filter((i) => i.flags.from !== undefined)) {
      assert.ok(
        stages.some((s) => s.name === copy.flags.from),
        `line ${copy.line}: --from=${String(copy.flags.from)}`,
      );
    }
  });

  void it('keeps local installs, builds and state out of the build context', () => {
    const ignore = dockerignore(read('.dockerignore'));
    for (const path of [
      'node_modules/yaml/package.json',
      'packages/messaging/node_modules/x',
      'packages/messaging/dist/index.js',
      'services/vipservice/dist/main.js',
      '.data/vipservice/data.mdb',
      '.git/HEAD',
      'bench/results/run.json',
      'packages/config/dist/.tsbuildinfo',
    ]) {
      assert.ok(ignore.isExcluded(path), `${path} is sent to the daemon`);
    }
  });

  void it('installs with every workspace manifest in place (npm ci rejects the lockfile otherwise)', () => {
    const workspaces = list(
      mapping(JSON.parse(read('package.json')), 'package.json').workspaces,
      'workspaces',
    );
    const manifests = workspaces.flatMap((pattern) => {
      const dir = String(pattern).replace(/\/\*$/, '');
      return readdirSync(join(root, dir))
        .map((d) => `${dir}/${d}/package.json`)
        .filter((p) => existsSync(join(root, p)));
    });
    const installs = stages.filter((s) =>
      s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args.join(' '))),
    );
    assert.ok(installs.length > 0, 'no npm ci');
    for (const stage of installs) {
      const instructions = effectiveInstructions(stages, stage);
      const before = instructions.slice(
        0,
        instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('ci')),
      );
      const copied = before.filter((i) => i.keyword === 'COPY' && i.flags.from === undefined);
      const sources = new Set(copied.flatMap((c) => c.args.slice(0, -1)));
      for (const file of ['package.json', 'package-lock.json', '.npmrc', ...manifests]) {
        assert.ok(sources.has(file), `${stage.name}: ${file} is not copied before npm ci`);
      }
    }
  });

  void it('has one runtime target per service', () => {
    assert.deepEqual(targets.map((t) => t.name).sort(), [...services].sort());
  });

  for (const name of NODE_SERVICES) {
    void it(`${name}: runs dist/main.js of its service as a non-root user, with a health check`, () => {
      const instructions = effectiveInstructions(stages, target(name));
      const user = last(instructions, 'USER')?.args[0];
      assert.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `${name} runs as ${user ?? 'root'}`);

      const cmd = last(instructions, 'CMD')?.args;
      assert.deepEqual(cmd, ['node', `services/${name}/dist/main.js`]);
      assert.ok(
        existsSync(join(root, `services/${name}/src/main.ts`)),
        `services/${name}/src/main.ts is missing`,
      );

      const health = last(instructions, 'HEALTHCHECK')?.args;
      assert.deepEqual(health, ['CMD', 'node', 'deploy/healthcheck.js', String(PORTS[name]?.[0])]);
      assert.equal(last(instructions, 'EXPOSE')?.args[0], String(PORTS[name]?.[0]));
      assert.equal(last(instructions, 'STOPSIGNAL')?.args[0], 'SIGTERM');
      assert.equal(environment(instructions).get('NODE_ENV'), 'production');
    });

    void it(`${name}: ships the compiled code of its service and of every workspace it depends on`, () => {
      const instructions = effectiveInstructions(stages, target(name));
      const workdir = last(instructions, 'WORKDIR')?.args[0] ?? '/';
      const shipped = new Set(
        instructions
          .filter((i) => i.keyword === 'COPY' && i.flags.from === 'build')
          .map((i) => copyDestination(instructions, i)),
      );
      for (const dir of [`services/${name}`, ...workspaceDependencies(`services/${name}`)]) {
        assert.ok(shipped.has(join(workdir, dir, 'dist')), `${name} image lacks ${dir}/dist`);
      }
      const copiesHealthcheck = instructions.some(
        (i) => i.keyword === 'COPY' && i.args[0] === 'deploy/healthcheck.js',
      );
      assert.ok(copiesHealthcheck, 'deploy/healthcheck.js is not in the image');
    });
  }

  void it('configserver: serves the config-repo baked into the image at CONFIG_REPO, as compose.yaml says', () => {
    const instructions = effectiveInstructions(stages, target('configserver'));
    const copy = instructions.find(
      (i) => i.keyword === 'COPY' && i.args[0]?.replace(/\/$/, '') === 'config-repo',
    );
    assert.ok(copy, 'config-repo is not copied');
    const repo = environment(instructions).get('CONFIG_REPO');
    assert.equal(repo, copyDestination(instructions, copy));
    assert.equal(env(service(compose, 'configserver')).get('CONFIG_REPO'), repo);
  });
});

void describe('docker CLI validation (only where a docker client is installed)', () => {
  const docker = spawnSync('docker', ['--version'], { encoding: 'utf8' });
  const skip = docker.status === 0 ? false : 'no docker client on PATH';

  void it('docker stack config accepts deploy/stack.yaml (needs no engine)', { skip }, () => {
    const result = spawnSync('docker', ['stack', 'config', '-c', 'deploy/stack.yaml'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
  });

  void it('docker compose config accepts deploy/compose.yaml', { skip }, (t) => {
    if (spawnSync('docker', ['compose', 'version']).status !== 0) {
      t.skip('the docker compose plugin is not installed');
      return;
    }
    const result = spawnSync('docker', ['compose', '-f', 'deploy/compose.yaml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
  });
});

/** The folders of the @goblog/* workspaces a workspace depends on, transitively. */
function workspaceDependencies(dir: string, seen = new Set<string>()): Set<string> {
  const pkg = mapping(JSON.parse(read(`${dir}/package.json`)), `${dir}/package.json`);
  for (const dep of Object.keys(
    pkg.dependencies === undefined ? {} : mapping(pkg.dependencies, 'dependencies'),
  )) {
    if (!dep.startsWith('@goblog/')) continue;
    const name = dep.slice('@goblog/'.length);
    const found = ['packages', 'services'].map((d) => `${d}/${name}`).find((d) => existsSync(join(root, d)));
    assert.ok(found, `${dir} depends on ${dep}, which is not a workspace`);
    if (!seen.has(found)) {
      seen.add(found);
      workspaceDependencies(found, seen);
    }
  }
  return seen;
}
