// Shared jest settings: SWC transpiles TypeScript (with decorator metadata, which Nest's DI needs)
// and @flow-crm/* imports resolve to the libraries' sources, so tests never wait for a build.
const path = require('node:path');

/** @param {string} projectDir @returns {import('jest').Config} */
module.exports = function jestConfig(projectDir) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: {
      '^@flow-crm/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    },
    setupFiles: [path.join(__dirname, 'jest.setup.js')],
    testTimeout: 30_000,
  };
};
