import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/** Keeps a rendering bug from blanking the page: says so and offers to render again. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("dashboard rendering error", error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="sy-fatal" role="alert">
        <p>The board hit a rendering error: {this.state.error.message}</p>
        <button type="button" className="sy-button" onClick={() => this.setState({ error: null })}>
          Reload view
        </button>
      </div>
    );
  }
}
