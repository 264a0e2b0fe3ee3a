/**
 * The consume path's processors as one set for the broker's PROCESSOR_SETS: it creates the
 * shared ConsumeServices (groups, offsets, consumers, long polling, delayed delivery), adds
 * them as broker services, installs the %RETRY% send hook, and returns every processor.
 */
import type { Processor } from "../../remoting/server.ts";
import type { BrokerContext } from "../broker_context.ts";
import { createConsumeServices } from "../consume_services.ts";
import { clientManageProcessors } from "./client_manage_processor.ts";
import { consumerAdminProcessors } from "./consumer_admin_processor.ts";
import { consumerManageProcessors } from "./consumer_manage_processor.ts";
import { offsetProcessors } from "./offset_processor.ts";
import { pullProcessors } from "./pull_processor.ts";
import { sendBackProcessors } from "./send_back_processor.ts";

export function consumeProcessors(ctx: BrokerContext): Record<number, Processor> {
  const s = createConsumeServices(ctx);
  return {
    ...pullProcessors(ctx, s),
    ...clientManageProcessors(ctx, s),
    ...consumerManageProcessors(ctx, s),
    ...offsetProcessors(ctx),
    ...sendBackProcessors(ctx, s),
    ...consumerAdminProcessors(ctx, s),
  };
}
