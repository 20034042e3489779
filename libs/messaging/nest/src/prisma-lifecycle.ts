import { Inject, Injectable, OnApplicationShutdown, Type } from '@nestjs/common';

interface Disconnectable {
  $disconnect(): Promise<void>;
}

/**
 * A provider that closes the Prisma client registered under `token` last: on application shutdown,
 * after the Kafka consumer has drained (Nest disposes microservices before shutdown hooks, but
 * after module-destroy hooks, so a client closed on module destroy would fail in-flight handlers).
 */
export function prismaLifecycle(token: symbol): Type<OnApplicationShutdown> {
  @Injectable()
  class PrismaLifecycle implements OnApplicationShutdown {
    constructor(@Inject(token) private readonly db: Disconnectable) {}

    async onApplicationShutdown(): Promise<void> {
      await this.db.$disconnect();
    }
  }
  return PrismaLifecycle;
}
