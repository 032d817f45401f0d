import { startService } from '@flow-crm/platform';
import { AppModule } from './app.module';
import { loadPipelineConfig } from './config';

async function main(): Promise<void> {
  const config = loadPipelineConfig();
  await startService(AppModule.with(config), { service: 'pipeline', title: 'Flow CRM pipeline', config });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
