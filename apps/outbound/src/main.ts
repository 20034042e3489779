import './instrumentation';
import 'reflect-metadata';

import { runService } from '@throughline/messaging-nest';

import { AppModule } from './app.module';

void runService(AppModule.forConfig());
