import { Component, type ReactNode } from 'react';

type Props = {
  /** What is shown inside, for the message: "My stats", "Scoreboard". */
  name: string;
  children: ReactNode;
};
type State = { failed: boolean };

/**
 * Shows a message with "Try again" (render the part once more) and "Reload the page" in place of
 * a part that failed to render, so that one broken panel leaves the rest of the page working and
 * a broken app is not a blank page. React reports the error itself (the root's onCaughtError
 * logs it). It can only be a class component.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="card crashed" role="alert" aria-label={this.props.name}>
        <h2>{this.props.name}</h2>
        <p className="error">Something went wrong showing this.</p>
        <div className="actions">
          <button type="button" onClick={() => this.setState({ failed: false })}>
            Try again
          </button>
          <button type="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      </section>
    );
  }
}
