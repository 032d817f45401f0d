import { startService } from '@flow-crm/platform';
import { AppModule } from './app.module';
import { loadContactsConfig } from './config';

async function main(): Promise<void> {
  const config = loadContactsConfig();
  await startService(AppModule.with(config), { service: 'contacts', title: 'Flow CRM contacts', config });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
