import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { type Api, ApiProvider } from "../api/client.tsx";
import { ApiRequestError } from "../api/errors.ts";
import { CommandProvider } from "../lib/commands.tsx";
import { NoticeProvider } from "../lib/notices.tsx";

/** A refusal (4xx) will not change on retry; a network failure or a 5xx might. */
function retryOnce(failures: number, error: unknown): boolean {
  if (error instanceof ApiRequestError && error.status < 500) return false;
  return failures < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false, retry: retryOnce },
      mutations: { retry: false },
    },
  });
}

/** Everything the dashboard's components expect around them. */
export function Providers({ api, queryClient, children }: { api: Api; queryClient: QueryClient; children: ReactNode }) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <NoticeProvider>
          <CommandProvider>{children}</CommandProvider>
        </NoticeProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}
