import cluster from 'node:cluster';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

/**
 * The process's entry point. The configuration is validated before anything heavy is loaded, so
 * that a bad value stops the process at once with a message naming it.
 */
function configuration(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = configuration();
if (config.apiProcesses > 1 && cluster.isPrimary) {
  void import('./api-processes.js').then(({ runApiProcesses }) => runApiProcesses(config));
} else {
  void import('./server.js').then(({ runServer }) => runServer(config));
}
