// A minimal MCP Apps host for the view tests: puts a view's HTML in a sandboxed iframe, plays the host side of the
// protocol with ext-apps' AppBridge (initialize, host context, tool input, tool result) and forwards the view's
// tools/call to the test through window.__callTool (a function the test exposes). Bundled by the test with esbuild.
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

interface HostConfig {
  html: string;
  input: Record<string, unknown>;
  result: { content: unknown[]; structuredContent?: Record<string, unknown> };
  theme: 'light' | 'dark';
  width: number;
}

declare global {
  interface Window {
    __callTool(params: unknown): Promise<unknown>;
    startHost(c: HostConfig): Promise<void>;
    setTheme(theme: 'light' | 'dark'): void;
    hostLog: string[];
  }
}

window.hostLog = [];
window.startHost = async (c) => {
  document.documentElement.style.colorScheme = c.theme;
  document.body.style.background = c.theme === 'dark' ? '#111' : '#fff';
  const iframe = document.createElement('iframe');
  iframe.id = 'view';
  iframe.title = 'tool view';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.style.cssText = `width:${c.width}px;height:900px;border:0;display:block`;
  document.body.append(iframe);
  const bridge = new AppBridge(
    null,
    { name: 'view-test-host', version: '1' },
    { serverTools: {} },
    {
      hostContext: {
        theme: c.theme,
        platform: 'web',
        containerDimensions: { maxWidth: c.width, maxHeight: 900 },
        styles: { variables: { '--font-sans': 'DejaVu Sans, sans-serif' } as never },
      },
    },
  );
  window.setTheme = (theme) => bridge.setHostContext({ theme });
  bridge.oncalltool = async (params) => {
    window.hostLog.push(`tools/call ${params.name}`);
    return (await window.__callTool(params)) as never;
  };
  bridge.onsizechange = ({ height }) => {
    if (height) iframe.style.height = `${Math.min(2400, height)}px`;
  };
  bridge.oninitialized = () => {
    window.hostLog.push('initialized');
    void bridge.sendToolInput({ arguments: c.input });
    void bridge.sendToolResult(c.result as never);
  };
  // Listen before the view's script runs: its ui/initialize is the first message it sends.
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = c.html;
};
