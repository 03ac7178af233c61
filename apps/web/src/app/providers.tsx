import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { type Api, ApiProvider } from "../api/client.tsx";
import { CommandProvider } from "../lib/commands.tsx";
import { NoticeProvider } from "../lib/notices.tsx";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false, retry: 1 },
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
