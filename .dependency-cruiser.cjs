/**
 * The house's load-bearing walls, checked by `npm run lint` (dependency-cruiser): which folder may import
 * which. The core (domain, ports, use cases) never sees an adapter, the AWS SDK, configuration or wiring;
 * adapters implement ports and never call use cases; handlers call use cases through the composition root.
 * test/architecture.test.ts shows a deliberate core → adapter import failing this check.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-stays-pure',
      comment: 'shared/core knows nothing of AWS, Lambda, adapters, configuration or wiring.',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: {
        path: ['^shared/(adapters|composition|config)/', '^functions/', '^infra/', '^bench/', '^test/'],
      },
    },
    {
      name: 'core-no-aws-sdk',
      comment: 'The core never imports the AWS SDK (or the Lambda types): ports stand for what it needs.',
      severity: 'error',
      from: { path: '^shared/(core|contracts|documents)/' },
      to: {
        path: ['node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy)/', 'node_modules/aws-lambda/'],
      },
    },
    {
      name: 'contracts-are-shapes',
      comment: 'Routes, schemas, workflow and event contracts depend on the domain at most.',
      severity: 'error',
      from: { path: '^shared/contracts/' },
      to: { path: ['^shared/core/(usecases|ports)/', '^shared/(adapters|composition|config|documents)/'] },
    },
    {
      name: 'documents-render-only',
      comment: 'Documents (PDFs, texts, emails) render what they are given: no I/O adapters, no use cases.',
      severity: 'error',
      from: { path: '^shared/documents/' },
      to: { path: ['^shared/core/(usecases|ports)/', '^shared/(adapters|composition|config)/'] },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'Adapters implement ports; they never call use cases nor wire anything.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: ['^shared/core/usecases/', '^shared/composition/', '^shared/documents/'] },
    },
    {
      name: 'shared-is-not-an-edge',
      comment: 'shared/ is imported by the edges (functions, infra), never the other way round.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ['^functions/', '^infra/', '^bench/', '^test/'] },
    },
    {
      name: 'handlers-call-use-cases',
      comment: 'Handlers parse, call a use case from the composition root, and map the answer: no adapter.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: ['^shared/adapters/', 'node_modules/@aws-sdk/'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes the layers meaningless.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: ['^cdk\\.out', '^\\.local'] },
  },
};
