import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { DeskState } from './lib/desk.svelte';
import { connectTransport } from './lib/transport';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(App, { target, props: { desk: new DeskState(connectTransport()) } });
