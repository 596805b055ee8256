import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { createDesk } from './lib/state/desk';
import { connectTransport } from './lib/transport';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(App, { target, props: { desk: createDesk(connectTransport()) } });
