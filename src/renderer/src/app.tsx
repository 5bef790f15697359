export function App() {
  return (
    <main>
      <h1>Ferry</h1>
      <p>Drop files here to send them.</p>
    </main>
  );
}
