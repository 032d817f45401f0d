import { startService } from '@flow-crm/platform';
import { AppModule } from './app.module';
import { loadIdentityConfig } from './config';

async function main(): Promise<void> {
  const config = loadIdentityConfig();
  await startService(AppModule.with(config), { service: 'identity', title: 'Flow CRM identity', config });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
